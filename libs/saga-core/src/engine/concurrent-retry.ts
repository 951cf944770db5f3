import { ConcurrentUpdateError } from '../errors/concurrent-update.error';

/** Runs `work` again, up to 3 times in all, while another process moved its saga on first. */
export async function retryOnConcurrentUpdate<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt >= 3) throw error;
    }
  }
}
