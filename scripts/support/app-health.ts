import { appDir, appUrls, TripAppName, TripEndpoints } from './trip-endpoints';

/** Fails with one clear message when any of the apps does not answer `GET /health`. */
export async function assertAppsHealthy(endpoints: TripEndpoints): Promise<void> {
  const urls = appUrls(endpoints);
  const apps = (Object.keys(urls) as TripAppName[]).map((app) => [appDir(app), urls[app]]);
  const problems = await Promise.all(
    apps.map(async ([name, url]) => {
      try {
        const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
        await response.body?.cancel();
        return response.ok ? null : `${name} at ${url}: /health answered ${response.status}`;
      } catch (error) {
        const cause = error instanceof Error ? String(error.cause ?? error.message) : String(error);
        return `${name} at ${url} is not reachable (${cause})`;
      }
    }),
  );
  const down = problems.filter((p): p is string => p !== null);
  if (down.length > 0) {
    throw new Error(`${down.join('\n')}\nStart the apps first: npm start`);
  }
}
