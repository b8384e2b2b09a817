import 'reflect-metadata';
import { buildOpenApiDocument, writeOpenApiDocumentCli } from '@xinyuan/common';
import { RATING_DOCS } from './main';
import { RatingAppModule } from './rating-app.module';

/** `node dist/apps/rating/src/openapi-document.js <out.json>`: the rating service's OpenAPI document. */
export const ratingOpenApiDocument = () => buildOpenApiDocument(RatingAppModule, RATING_DOCS.title, RATING_DOCS.description);

if (require.main === module) writeOpenApiDocumentCli(ratingOpenApiDocument, 'dist/openapi/rating.json');
