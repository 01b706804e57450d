/** The baseline for the HTTP benchmark: a bare Hono route that parses the same JSON body and answers 201. */
import { Hono } from 'hono';
import { serve } from '@hono/node-server';

const app = new Hono();
app.post('/api/tickets', async (c) => {
  const body = await c.req.json();
  return c.json({ id: 1, ref: 'IT-1001', status: 'open', name: body.name }, 201);
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
