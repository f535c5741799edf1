import { Module } from '@nestjs/common';
import { PageTokenCodec } from '@acme/persistence';
import { USER_SERVICE_CONFIG, type UserServiceConfig } from '../config';
import { ImportModule } from '../import/import.module';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { USER_PAGE_TOKENS, UsersService } from './users.service';

@Module({
  imports: [ImportModule],
  controllers: [UsersController],
  providers: [
    UsersRepository,
    UsersService,
    {
      provide: USER_PAGE_TOKENS,
      inject: [USER_SERVICE_CONFIG],
      useFactory: (config: UserServiceConfig) => new PageTokenCodec(config.PAGE_TOKEN_SECRET, config.PAGE_TOKEN_PREVIOUS_SECRETS),
    },
  ],
})
export class UsersModule {}
