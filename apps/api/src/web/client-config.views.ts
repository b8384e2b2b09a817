import { ApiProperty } from '@nestjs/swagger';

export class ClientConfig {
  @ApiProperty({ type: String, nullable: true, description: 'public URL of the rating service' }) ratingUrl: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'optional map tile URL template' }) mapTileUrl: string | null;
  @ApiProperty({ description: 'an offer this close to expiry shows in the live queue' }) liveQueueExpiringSeconds: number;
  @ApiProperty({ description: 'how many days ahead a preferred time may be' }) preferredTimeHorizonDays: number;
  @ApiProperty({
    type: 'object', additionalProperties: { type: 'string' },
    description: 'WeChat subscribe-message templates by notification type, for wx.requestSubscribeMessage (empty: none configured)',
  })
  wechatTemplates: Record<string, string>;
}
