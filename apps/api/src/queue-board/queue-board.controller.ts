import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '@xinyuan/config';
import { AuthUser, CurrentUser, Roles } from '@xinyuan/identity';
import { QUEUE_BOARD_COOKIE, QUEUE_BOARD_PATH } from './queue-board';

export class QueueBoardSession {
  @ApiProperty({ example: '/admin/queues/' }) url: string;
  @ApiProperty({ description: 'the cookie ends with the access token it holds' }) expiresAt: string;
}

/** Opens the admin's Bull Board: a path-scoped HttpOnly cookie holding the caller's access token. */
@ApiTags('operations')
@ApiBearerAuth()
@Controller('api/v1/admin/queue-board')
export class QueueBoardController {
  constructor(private readonly config: AppConfig) {}

  @Post('session')
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: QueueBoardSession })
  open(@CurrentUser() user: AuthUser, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): QueueBoardSession {
    const token = /^Bearer\s+(\S+)$/i.exec(String(request.headers.authorization ?? ''))![1];
    const expiresAt = user.expiresAt ?? Date.now() + this.config.JWT_TTL_SECONDS * 1000;
    const maxAge = Math.max(1, Math.floor((expiresAt - Date.now()) / 1000));
    const secure = this.config.NODE_ENV === 'production' ? '; Secure' : '';
    reply.header('Set-Cookie', `${QUEUE_BOARD_COOKIE}=${encodeURIComponent(token)}; Path=${QUEUE_BOARD_PATH}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure}`);
    return { url: `${QUEUE_BOARD_PATH}/`, expiresAt: new Date(expiresAt).toISOString() };
  }
}
