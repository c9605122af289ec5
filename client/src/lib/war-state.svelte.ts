/** Which operation the wartime views focus on: the one picked on this screen, else the newest. */
import { live } from './app-state.svelte.ts';
import type { MapFocus } from './map/controller.ts';
import { activeOperations, focusedOperation } from './war.ts';

class WarState {
  chosenId = $state<string | null>(null);
  active = $derived(activeOperations(live.operations));
  focused = $derived(focusedOperation(this.active, this.chosenId));
  wartime = $derived(live.mode.state === 'wartime');
  /** In wartime every map frames the focused operation's incident and its cordon. */
  mapFocus = $derived.by((): MapFocus | null => {
    const op = this.wartime ? this.focused : null;
    if (!op) return null;
    void live.incidents;
    const inc = live.getIncident(op.incidentId);
    return inc
      ? { id: op.id, lng: inc.location.lng, lat: inc.location.lat, radiusM: op.cordonRadiusM }
      : null;
  });
  /** Bumped each time an operator picks an operation (the console then opens its incident). */
  picks = $state(0);

  choose(id: string): void {
    this.chosenId = id;
    this.picks++;
  }
}

export const war = new WarState();
