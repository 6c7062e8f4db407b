/** Seeding cannot go on: the message says what is missing (an app not running, a refused record). */
export class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedError';
  }
}
