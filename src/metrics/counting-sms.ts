// Counts what the SMS transport did, whichever flow sent: `sesame_sms_total{outcome="sent"|"failed"}`.
import type { SmsSender } from '../messaging/sms-sender.js';
import type { Metrics } from './metrics.js';

export function countingSms(sender: SmsSender, metrics: Metrics): SmsSender {
  return {
    async send(message) {
      try {
        const receipt = await sender.send(message);
        metrics.sms.inc({ outcome: 'sent' });
        return receipt;
      } catch (err) {
        metrics.sms.inc({ outcome: 'failed' });
        throw err;
      }
    },
  };
}
