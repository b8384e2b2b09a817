import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppConfig } from '@xinyuan/config';
import { Public } from '@xinyuan/identity';
import { NotifySettings } from '@xinyuan/notifications';
import { ClientConfig } from './client-config.views';

/** What the web and mini-program clients need to know at run time (no secrets). */
@ApiTags('health')
@Controller('api/v1')
export class ClientConfigController {
  constructor(
    private readonly config: AppConfig,
    private readonly notify: NotifySettings,
  ) {}

  @Public()
  @Get('client-config')
  @ApiOkResponse({ type: ClientConfig })
  @ApiOperation({ summary: 'Run-time settings for the clients: rating service URL, optional map tile URL' })
  clientConfig() {
    return {
      ratingUrl: this.config.RATING_PUBLIC_URL ?? null,
      mapTileUrl: this.config.MAP_TILE_URL ?? null,
      liveQueueExpiringSeconds: this.config.LIVE_QUEUE_EXPIRING_SECONDS,
      preferredTimeHorizonDays: this.config.PREFERRED_TIME_HORIZON_DAYS,
      wechatTemplates: this.notify.wechatTemplateIds(),
    };
  }
}
