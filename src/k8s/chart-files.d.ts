/** The chart's template helpers, notes and ignore list are embedded as text (`with { type: "text" }`). */
declare module "*.tpl" {
  const text: string;
  export default text;
}
declare module "*.helmignore" {
  const text: string;
  export default text;
}
