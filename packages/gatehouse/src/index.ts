// The gatehouse server package: issuer, gateway, store and CLI. Modules are added per part.
export {};
