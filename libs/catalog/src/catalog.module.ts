import { Module } from '@nestjs/common';
import { OrgModule } from '@xinyuan/org';
import { CatalogService } from './catalog.service';

/** The service menu (菜单): what residents may order, which skills each item needs, and whose item it is. */
@Module({ imports: [OrgModule], providers: [CatalogService], exports: [CatalogService] })
export class CatalogModule {}
