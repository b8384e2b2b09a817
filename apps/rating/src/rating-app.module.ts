import { Module } from '@nestjs/common';
import { ConfigModule } from '@xinyuan/config';
import { DatabaseModule } from '@xinyuan/database';
import { IdentityModule } from '@xinyuan/identity';
import { ObservabilityModule } from '@xinyuan/observability';
import { RatingModule } from '@xinyuan/rating';
import { RatingController } from './rating.controller';

@Module({
  imports: [ConfigModule, DatabaseModule, IdentityModule, RatingModule, ObservabilityModule.forApp('rating')],
  controllers: [RatingController],
})
export class RatingAppModule {}
