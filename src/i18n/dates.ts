// Dates as a person reads them on our screens: Paris time (the schools' time, whatever the server's zone), written
// in the current request's language («2 décembre 2026», «December 2, 2026»). No Koa here.
import { currentLanguage } from './request-language.js';

const DAY: Intl.DateTimeFormatOptions = { timeZone: 'Europe/Paris', day: 'numeric', month: 'long', year: 'numeric' };
const DAY_AND_TIME: Intl.DateTimeFormatOptions = { ...DAY, hour: '2-digit', minute: '2-digit' };

/** «2 décembre 2026» in French pages, «December 2, 2026» in English ones. */
export const formatDay = (at: Date): string => new Intl.DateTimeFormat(currentLanguage(), DAY).format(at);

/** The day and the time, «2 décembre 2026 à 17:05». */
export const formatDayAndTime = (at: Date): string => new Intl.DateTimeFormat(currentLanguage(), DAY_AND_TIME).format(at);
