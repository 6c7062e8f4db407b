import { HttpException } from '@nestjs/common';

/** What a gateway use case answered: its problem's status and detail, or 200 when it did not refuse. */
export async function problemOf(work: Promise<unknown>): Promise<{ status: number; detail?: unknown }> {
  try {
    await work;
    return { status: 200 };
  } catch (error) {
    if (!(error instanceof HttpException)) throw error;
    const body = error.getResponse();
    return { status: error.getStatus(), detail: typeof body === 'object' && 'detail' in body ? body.detail : body };
  }
}
