/**
 * Redis GEO covers latitudes within ±85.05112878° (Web Mercator) only. The contract accepts any
 * WGS84 point and marks one outside the district; such a point is simply not geo-indexed (it is
 * nowhere near the district, so nothing would correlate with it anyway).
 */
export const GEO_MAX_LAT = 85.05112878;
export const geoIndexable = (p: { lat: number }): boolean => Math.abs(p.lat) <= GEO_MAX_LAT;
