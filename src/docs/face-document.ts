import { INestApplication } from '@nestjs/common';
import { OpenAPIObject } from '@nestjs/swagger';

/** One face's OpenAPI document: served as JSON at /api/docs/{slug}.json and offered in Swagger UI's selector. */
export interface FaceDocument {
  slug: string;
  title: string;
  build(app: INestApplication): OpenAPIObject;
}
