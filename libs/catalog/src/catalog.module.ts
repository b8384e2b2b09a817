import { Module } from '@nestjs/common';
import { CatalogService } from './catalog.service';

/** The service menu (菜单): what residents may order and which skills each item needs. */
@Module({ providers: [CatalogService], exports: [CatalogService] })
export class CatalogModule {}
