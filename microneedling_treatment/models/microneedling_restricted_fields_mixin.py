from odoo import api, models
from odoo.models import parse_read_group_spec


class MicroneedlingRestrictedFieldsMixin(models.AbstractModel):
    """A field a user may not read can't be searched, grouped or counted by them either.

    Odoo 18 refuses a domain, an order or a group-by on a restricted field (``groups=``)
    when that field is a column, but not when it is a many2many or a one2many: the
    domain becomes a sub-query on the relation table and the group-by a join on it,
    without looking at the field's groups. A receptionist could then count the
    sessions whose hidden side effects include milia, or group sessions by them.
    Models with restricted x2many fields inherit this mixin to close that gap.
    """

    _name = "microneedling.restricted.fields.mixin"
    _description = "Restricted Fields Stay Unsearchable"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # Every search path ends here: search, search_count, name_search, read_group,
        # web_search_read, and the sub-queries of other models' domains on this one.
        self._check_domain_field_access(domain)
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _read_group_groupby(self, groupby_spec, query):
        self.check_field_access_rights("read", [parse_read_group_spec(groupby_spec)[0]])
        return super()._read_group_groupby(groupby_spec, query)

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    @api.model
    def _check_domain_field_access(self, domain):
        """Raise AccessError when `domain` tests a field of this model the user may not read.

        Dotted paths and ``any`` sub-domains continue on other models, whose own
        searches check their own fields.
        """
        if self.env.su or not domain:
            return
        fnames = {
            leaf[0].split(".", 1)[0]
            for leaf in domain
            if isinstance(leaf, list | tuple) and leaf and isinstance(leaf[0], str)
        }
        self.check_field_access_rights("read", sorted(fnames))
