import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';

/** A provider or controller method carrying a decorator's metadata. */
export interface DecoratedMethod<Metadata> {
  /** `Class.method`, for configuration errors. */
  name: string;
  metadata: Metadata;
  invoke(...args: unknown[]): Promise<unknown>;
}

/**
 * Every method of the app's providers and controllers that carries `metadataKey`, bound to its
 * instance. Request-scoped providers are skipped: a message handler has no request.
 */
export function findDecoratedMethods<Metadata>(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  metadataKey: string,
): DecoratedMethod<Metadata>[] {
  const reflector = new Reflector();
  const found: DecoratedMethod<Metadata>[] = [];
  const seen = new Set<object>();
  for (const wrapper of [...discovery.getProviders(), ...discovery.getControllers()]) {
    const instance: unknown = wrapper.instance;
    if (!wrapper.isDependencyTreeStatic() || typeof instance !== 'object' || instance === null) {
      continue;
    }
    // `useExisting` aliases show the same instance twice.
    if (seen.has(instance)) continue;
    seen.add(instance);
    for (const methodName of scanner.getAllMethodNames(Object.getPrototypeOf(instance) as object)) {
      const method: unknown = (instance as Record<string, unknown>)[methodName];
      if (typeof method !== 'function') continue;
      const metadata = reflector.get<Metadata | undefined>(metadataKey, method);
      if (metadata === undefined) continue;
      found.push({
        name: `${instance.constructor.name}.${methodName}`,
        metadata,
        invoke: async (...args) => (method as (...a: unknown[]) => unknown).apply(instance, args),
      });
    }
  }
  return found;
}
