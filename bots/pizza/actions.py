"""The pizzeria's own code, called by `action:` steps (docs/actions.md).

`ready_in` estimates when a paid order is at the door or ready for pickup: the kitchen's usual
times, longer on Friday and Saturday evenings, and a little longer for a big order. A shop
would ask its kitchen display or delivery service here instead.
"""

from framework.actions import ActionContext, ActionOutcome, action

BASE_MINUTES = {"delivery": 35, "pickup": 15}
RUSH_DAYS, RUSH_HOURS = {4, 5}, range(18, 21)
"""Friday and Saturday, 18:00 to 21:00."""
RUSH_MINUTES = 10
PIZZAS_PER_OVEN_LOAD = 4


@action("ready_in")
async def ready_in(context: ActionContext) -> ActionOutcome:
    fulfilment = str(context.args.get("fulfilment", "delivery"))
    minutes = BASE_MINUTES.get(fulfilment, BASE_MINUTES["delivery"])
    local = context.now
    if local.weekday() in RUSH_DAYS and local.hour in RUSH_HOURS:
        minutes += RUSH_MINUTES
    pieces = sum(int(line.get("quantity", 1)) for line in context.cart)
    minutes += 5 * ((pieces - 1) // PIZZAS_PER_OVEN_LOAD)
    return ActionOutcome(slots={"minutes": minutes})
