import { describe, expect, it } from "vitest";
import { tidyOpenApiDocument } from "../src/routes/openapi-tidy.ts";

const Ref = {
  type: "object",
  properties: { id: { type: "string", description: "The id." } },
  additionalProperties: false,
  description: "Who.",
};
const Kind = { type: "string", enum: ["a", "b"], description: "Which." };
const documentWith = (properties: Record<string, unknown>) => ({
  openapi: "3.1.0",
  components: { schemas: { Ref, Kind, Holder: { type: "object", properties } } },
  paths: {},
});

describe("tidying the generated OpenAPI document", () => {
  it("turns an inlined copy of a named schema back into a reference, keeping the field's own description", () => {
    const tidied = tidyOpenApiDocument(documentWith({ ref: { ...Ref, description: "The owner." }, kind: { ...Kind } }));
    expect(tidied.components.schemas.Holder.properties).toEqual({
      ref: { description: "The owner.", $ref: "#/components/schemas/Ref" },
      kind: { $ref: "#/components/schemas/Kind" },
    });
  });

  it("makes a nullable copy or a nullable allOf reference an anyOf with null, which null satisfies", () => {
    const tidied = tidyOpenApiDocument(
      documentWith({
        copy: { ...Ref, type: ["object", "null"], description: "Maybe an owner." },
        enumCopy: { ...Kind, type: ["string", "null"], enum: ["a", "b", null] },
        allOf: { allOf: [{ $ref: "#/components/schemas/Ref" }, { type: ["object", "null"], description: "Or none." }] },
      }),
    );
    const nullableRef = (name: string) => [{ $ref: `#/components/schemas/${name}` }, { type: "null" }];
    expect(tidied.components.schemas.Holder.properties).toEqual({
      copy: { description: "Maybe an owner.", anyOf: nullableRef("Ref") },
      enumCopy: { anyOf: nullableRef("Kind") },
      allOf: { description: "Or none.", anyOf: nullableRef("Ref") },
    });
  });

  it("leaves schemas that merely look alike, and the named schemas themselves, as they are", () => {
    const different = { ...Ref, properties: { id: { type: "string", description: "Another id." } } };
    const tidied = tidyOpenApiDocument(documentWith({ other: different }));
    expect(tidied.components.schemas.Holder.properties.other).toEqual(different);
    expect(tidied.components.schemas.Ref).toEqual(Ref);
  });
});
