import { mount } from 'svelte';
import { z } from 'zod';
import App from './App.svelte';
import './app.css';

// The CSP allows no eval: tell zod not to probe for it (the probe is a CSP violation report).
z.config({ jitless: true });

const target = document.getElementById('app');
if (!target) throw new Error('#app missing');
export default mount(App, { target });
