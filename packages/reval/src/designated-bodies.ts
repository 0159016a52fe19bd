import type { DesignatedBody } from './model.js';

/**
 * The designated bodies of REVAL.md, in order: the first whose owner matches wins. This is data, not
 * code: an operator replaces it by passing another table to the rules.
 */
export const DEFAULT_DESIGNATED_BODIES: readonly DesignatedBody[] = [
  { code: '1-1RUZV1D', owner: 'Kent, Surrey and Sussex' },
  { code: '1-1RUZV6H', owner: 'North West London' },
  { code: '1-1RUZV4H', owner: 'North Central and East London' },
  { code: '1-1RSSQ5L', owner: 'South London' },
  { code: '1-1RSSPZ7', owner: 'East Midlands' },
  { code: '1-1RSSQ05', owner: 'East of England' },
  { code: '1-1RSSQ1B', owner: 'North East' },
  { code: '1-1RSSQ6R', owner: 'Thames Valley' },
  { code: '1-1RSG4X0', owner: 'Yorkshire and the Humber' },
  { code: '1-1RUZUYF', owner: 'West Midlands' },
  { code: '1-1RUZUVB', owner: 'South West' },
  { code: '1-1RUZUSF', owner: 'Wessex' },
  { code: '1-1RSSQ2H', owner: 'North West' },
  { code: '1-25U-830', owner: 'NIMDTA' },
  // The four London codes also answer to "London LETBs"; first match wins.
  { code: '1-1RUZV6H', owner: 'London LETBs' },
  { code: '1-1RUZV4H', owner: 'London LETBs' },
  { code: '1-1RSSQ5L', owner: 'London LETBs' },
  { code: '1-1RUZV1D', owner: 'London LETBs' },
];
