declare module "swagger-ui-dist" {
  /** Folder holding the Swagger UI bundle and stylesheet. */
  export function getAbsoluteFSPath(): string;
}
