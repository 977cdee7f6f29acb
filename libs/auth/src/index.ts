export * from './jwt-token';
export * from './token-verifier';
