import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, IsUUID, Length } from 'class-validator';
import { uuidParam } from '@xinyuan/common';
import { AuthUser, CurrentUser, Roles } from '@xinyuan/identity';
import { Open311Keys } from '@xinyuan/open311';

export class CreateOpen311KeyDto {
  @ApiProperty({ example: '县 12345 热线' }) @IsString() @Length(1, 100) name: string;
  @ApiProperty({ format: 'uuid', description: 'requests are accepted inside this region only' }) @IsUUID() regionId: string;
}

export class Open311KeyView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'uuid' }) regionId: string;
  @ApiProperty({ description: 'the first characters of the key, to tell keys apart' }) keyPrefix: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: Date | null;
}

export class Open311KeyCreatedView extends Open311KeyView {
  @ApiProperty({ description: 'shown once' }) apiKey: string;
}

export class Open311KeyListView {
  @ApiProperty({ type: [Open311KeyView] }) items: Open311KeyView[];
}

/** Keys of the systems that file Open311 requests (admin, per region of their jurisdiction). */
@ApiTags('integrations 对接')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/v1/integrations/open311-keys')
export class Open311KeysController {
  constructor(private readonly keys: Open311Keys) {}

  @Post()
  @ApiOperation({ summary: 'A key for another system (12345 hotline, a city app); shown once' })
  @ApiCreatedResponse({ type: Open311KeyCreatedView })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateOpen311KeyDto) {
    return this.keys.create(user, dto);
  }

  @Get()
  @ApiOkResponse({ type: Open311KeyListView })
  list(@CurrentUser() user: AuthUser) {
    return this.keys.list(user);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'revoked' })
  async revoke(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string): Promise<void> {
    await this.keys.revoke(user, id);
  }
}
