/** Who is logged in. `ready` turns true once the first /auth/me has answered. */
import type { User } from '../../../shared/index.ts';
import { getMe, login as apiLogin, logout as apiLogout } from './api.ts';

class Session {
  user = $state<User | null>(null);
  ready = $state(false);

  async check(): Promise<User | null> {
    try {
      const { user } = await getMe();
      this.user = user;
    } catch {
      this.user = null;
    }
    this.ready = true;
    return this.user;
  }

  async login(username: string, password: string): Promise<User> {
    const { user } = await apiLogin(username, password);
    this.user = user;
    return user;
  }

  async logout(): Promise<void> {
    try {
      await apiLogout();
    } finally {
      this.user = null;
    }
  }
}

export const session = new Session();
