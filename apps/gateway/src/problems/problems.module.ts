import { Module } from '@nestjs/common';
import { ProblemCatalogue } from '../problem/problem-catalogue';
import { ProblemsController } from './problems.controller';

/** `GET /v1/problems`: the error catalogue every problem `type` points to. */
@Module({
  controllers: [ProblemsController],
  providers: [{ provide: ProblemCatalogue, useFactory: () => new ProblemCatalogue() }],
})
export class ProblemsModule {}
