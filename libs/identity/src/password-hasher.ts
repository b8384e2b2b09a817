import { hash, verify } from '@node-rs/argon2';

/** Argon2id with the library's recommended defaults (memory-hard; ~20 ms a hash on the dev machine). */
export const PasswordHasher = {
  hash: (password: string): Promise<string> => hash(password),
  verify: async (passwordHash: string, password: string): Promise<boolean> => {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  },
};
