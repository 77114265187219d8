export async function expireLeases(_env: Env, _now: number): Promise<void> {}
