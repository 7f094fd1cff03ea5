/** Dockerfiles are embedded as text (`with { type: "text" }`). */
declare module "*Dockerfile" {
  const text: string;
  export default text;
}
