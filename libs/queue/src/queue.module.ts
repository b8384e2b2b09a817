import { Global, Module } from '@nestjs/common';
import { DispatchQueue } from './dispatch-queue';

@Global()
@Module({ providers: [DispatchQueue], exports: [DispatchQueue] })
export class QueueModule {}
