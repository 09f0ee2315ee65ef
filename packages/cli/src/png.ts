// SVG → PNG with @resvg/resvg-js (resvg compiled to a native addon that ships inside the npm package:
// nothing is downloaded at run time). Loaded lazily so the rest of the CLI works without it.
import type * as ResvgModule from '@resvg/resvg-js';
import { CliError } from './errors.js';

export async function svgToPng(svg: string): Promise<Uint8Array> {
  let resvg: typeof ResvgModule;
  try {
    resvg = await import('@resvg/resvg-js');
  } catch (err) {
    throw new CliError('E_IO', '--png needs @resvg/resvg-js, which could not be loaded on this platform; use --svg', { cause: err });
  }
  const renderer = new resvg.Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: 1.5 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return renderer.render().asPng();
}
