import { Module } from '@nestjs/common';
import { ImportRepository } from './import.repository';
import { UserImportService } from './user-import.service';

/** ImportUsers: batched, validated bulk creation of users. */
@Module({ providers: [ImportRepository, UserImportService], exports: [UserImportService] })
export class ImportModule {}
