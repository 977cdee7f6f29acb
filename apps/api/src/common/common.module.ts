import { Global, Module } from '@nestjs/common';
import { SqlClient } from './sql-client';
import { WithStatusInterceptor } from './with-status';

@Global()
@Module({ providers: [SqlClient, WithStatusInterceptor], exports: [SqlClient, WithStatusInterceptor] })
export class CommonModule {}
