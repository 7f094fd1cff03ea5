/** Defined by build.ts (see bundleModule in bundle.ts): the embedded bundle's path, undefined in the bundle itself. */
declare module "o11y-lab:bundle" {
  const path: string | undefined;
  export default path;
}
