import { Activity } from "@mail/core/web/activity";
import { ActivityListPopoverItem } from "@mail/core/web/activity_list_popover_item";
import { patch } from "@web/core/utils/patch";

/**
 * "Mark Done" on a session's side-effect follow-up opens the side-effect form: the
 * findings go to the session's clinical record, never into the "done" message that
 * the feedback popover would post.
 */
async function openSideEffectForm(component, onDone, beforeOpen = () => {}) {
    const { activity } = component.props;
    const { action: actionService, orm } = component.env.services;
    const action = await orm.call("mail.activity", "action_microneedling_record_side_effects", [
        [activity.id],
    ]);
    beforeOpen();
    await actionService.doAction(action, { onClose: onDone });
}

patch(Activity.prototype, {
    async onClickMarkAsDone(ev) {
        if (!this.props.activity.microneedling_side_effect_form) {
            return super.onClickMarkAsDone(...arguments);
        }
        const thread = this.thread;
        await openSideEffectForm(this, async () => {
            this.props.onActivityChanged(thread);
            this.props.reloadParentView?.();
            await thread.fetchNewMessages();
        });
    },
});

patch(ActivityListPopoverItem.prototype, {
    onClickMarkAsDone() {
        if (!this.props.activity.microneedling_side_effect_form) {
            return super.onClickMarkAsDone(...arguments);
        }
        const { onActivityChanged, onClickDoneAndScheduleNext } = this.props;
        // The popover closes, as it does for "Done & Schedule Next": the form is a dialog.
        return openSideEffectForm(
            this,
            () => onActivityChanged?.(),
            () => onClickDoneAndScheduleNext?.()
        );
    },
});
