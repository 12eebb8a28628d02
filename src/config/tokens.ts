/** Dependency-injection tokens for values that are not classes: the validated configuration and the shared parts. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const GEOIP = Symbol('GEOIP');
export const DATABASE = Symbol('DATABASE');
