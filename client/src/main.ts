import { mount } from 'svelte';
import { z } from 'zod';
import App from './App.svelte';
import './app.css';
import { installTestHooks } from './lib/testing/hooks.ts';

// The CSP allows no eval: tell zod not to probe for it (the probe is a CSP violation report).
z.config({ jitless: true });

// Written out (not through TEST_HOOKS) so that the production build drops the branch, and with
// it the hooks module, by constant folding.
if (import.meta.env.MODE !== 'production') installTestHooks();

const target = document.getElementById('app');
if (!target) throw new Error('#app missing');
export default mount(App, { target });
