/**
 * SessionEndStage (authentik/flows/stage.py), appended in memory to a provider's invalidation flow by end-session
 * (providers/oauth2/views/end_session.py): the "You've logged out of <app>" page, `ak-stage-session-end` with the
 * application's name and launch URL and the brand's invalidation flow (to log out of authentik itself).
 */
import type { StageView } from '../stage.ts';

export const sessionEndStage: StageView = {
  component: null,
  get(x) {
    const app = x.plan.context.application;
    const brandLogout = x.fc.bp.brand.flow_invalidation;
    x.challenge({
      component: 'ak-stage-session-end',
      brand_name: 'authentik',
      ...(app ? { application_name: app.name, application_launch_url: x.fc.launchUrl(app) } : {}),
      ...(brandLogout ? { invalidation_flow_url: `/if/flow/${brandLogout}/` } : {}),
    }, { withUserInfo: true });
  },
};
