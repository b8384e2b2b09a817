import { Module } from '@nestjs/common';
import { OrgModule } from '@xinyuan/org';
import { CatalogService } from './catalog.service';
import { SkillLabels } from './skill-labels';

/** The service menu (菜单): what residents may order, which skills each item needs, and whose item it is. */
@Module({ imports: [OrgModule], providers: [CatalogService, SkillLabels], exports: [CatalogService, SkillLabels] })
export class CatalogModule {}
