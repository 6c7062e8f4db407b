import { NotFoundException } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DashboardAssets } from './dashboard-assets';

const part = (name: string): string => readFileSync(join(__dirname, 'assets', 'dashboard', name), 'utf8');

describe('DashboardAssets', () => {
  const assets = new DashboardAssets();

  it("serves the script's parts as one dashboard.js, in order: the words first, the start last", () => {
    const script = assets.asset('dashboard.js');
    expect(script.type).toBe('application/javascript; charset=utf-8');
    const parts = ['text.js', 'format.js', 'charts.js', 'figures.js', 'page.js'].map(part);
    expect(script.body.toString('utf8')).toBe(parts.join(''));
  });

  it('serves the page and its listed files only: no other name, no path', () => {
    expect(assets.page.toString('utf8')).toContain('/v1/dashboard/assets/dashboard.js');
    expect(assets.asset('dashboard.css').type).toBe('text/css; charset=utf-8');
    expect(assets.asset('favicon.svg').type).toBe('image/svg+xml');
    for (const name of ['dashboard.html', 'text.js', 'dashboard/text.js', '../dashboard.controller.ts', 'constructor'])
      expect(() => assets.asset(name)).toThrow(NotFoundException);
  });
});
