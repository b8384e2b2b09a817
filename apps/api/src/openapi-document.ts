import 'reflect-metadata';
import { buildOpenApiDocument, writeOpenApiDocumentCli } from '@xinyuan/common';
import { ApiModule } from './api.module';
import { API_DOCS } from './main';

/** `node dist/apps/api/src/openapi-document.js <out.json>`: the api's OpenAPI document, no database needed. */
export const apiOpenApiDocument = () => buildOpenApiDocument(ApiModule, API_DOCS.title, API_DOCS.description);

if (require.main === module) writeOpenApiDocumentCli(apiOpenApiDocument, 'dist/openapi/api.json');
