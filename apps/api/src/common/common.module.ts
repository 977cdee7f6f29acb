import { Global, Module } from '@nestjs/common';
import { WithStatusInterceptor } from './with-status';

@Global()
@Module({ providers: [WithStatusInterceptor], exports: [WithStatusInterceptor] })
export class CommonModule {}
