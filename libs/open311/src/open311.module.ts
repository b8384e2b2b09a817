import { Module } from '@nestjs/common';
import { OrderWorkflowModule } from '@xinyuan/orders';
import { OrgModule } from '@xinyuan/org';
import { Open311Keys } from './open311-keys.service';
import { Open311Service } from './open311.service';

/** Open311 GeoReport v2: keys of integrations (admin) and the server at /open311/v2 (api). */
@Module({ imports: [OrderWorkflowModule, OrgModule], providers: [Open311Keys, Open311Service], exports: [Open311Keys, Open311Service] })
export class Open311Module {}
