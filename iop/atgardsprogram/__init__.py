"""The Swedish support chain (skollagen 3 kap., Skolverket's allmänna råd SKOLFS 2014:40).

Glossary (see DOMAIN.md, "The law in detail" → Sweden):

=============================  ==========================================================
term                           here
=============================  ==========================================================
extra anpassning               :class:`ExtraAnpassning`: an adaptation inside ordinary
                               teaching; documented and followed up, no decision
uppföljning                    :class:`ExtraAnpassningUppfoljning`: its follow-up
utredning                      :class:`Utredning`: the investigation of the need for
                               särskilt stöd, with elevhälsan (3 kap. 8 §)
åtgärdsprogram                 :class:`Atgardsprogram` of kind ``upprata``: the rektor's
                               decision on särskilt stöd (3 kap. 9 §)
beslut att inte upprätta       :class:`Atgardsprogram` of kind ``inte_upprata``
åtgärd                         :class:`AtgardsprogramAtgard`: one measure
utvärdering                    :class:`AtgardsprogramUtvardering`
överklagande                   :class:`Overklagande`: an appeal to Skolväsendets
                               överklagandenämnd (28 kap. 16 §)
=============================  ==========================================================

Only for pupils of schools whose owner is Swedish (``Skoleeier.country == "SE"``);
a Norwegian pupil answers 404 on every URL here.
"""
