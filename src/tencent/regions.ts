/**
 * Tencent's regional REST domains (primary ones, from the REST API overview). An SDKAppID lives in exactly
 * one data center; calling another one fails with 70016/70020, so there is deliberately no default region.
 */
export const REGION_DOMAINS = {
  china: 'console.tim.qq.com',
  singapore: 'adminapisgp.im.qcloud.com',
  korea: 'adminapikr.im.qcloud.com',
  japan: 'adminapijpn.im.qcloud.com',
  germany: 'adminapiger.im.qcloud.com',
  india: 'adminapiind.im.qcloud.com',
  usa: 'adminapiusa.im.qcloud.com',
  indonesia: 'adminapiidn.im.qcloud.com',
} as const;

export type Region = keyof typeof REGION_DOMAINS;

export const REGIONS = Object.keys(REGION_DOMAINS) as [Region, ...Region[]];

export function regionBaseUrl(region: Region): string {
  return `https://${REGION_DOMAINS[region]}`;
}
