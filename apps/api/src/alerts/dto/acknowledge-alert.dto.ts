import { IsOptional, IsString, Length, MaxLength } from 'class-validator';

export class AcknowledgeAlertDto {
  /** Defaults to the token's subject. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  by?: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}
