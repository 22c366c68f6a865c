"""French stop words (written for veille): function words that carry no topic.

Matched on the lower-cased, accent-folded form. Content words of one letter are
not in the list on purpose (a "série A", le réseau "X").
"""

FRENCH_STOP_WORDS = frozenset(
    """
    a ai aie aient aies ait as au aucun aucune aupres aussi autre autres aux avaient avais avait avant avec avez
    aviez avions avoir avons ayant ayez ayons
    bon c ca car ce ceci cela celle celles celui cependant ces cet cette ceux chaque chez ci comme comment
    d dans de des deja depuis donc dont du
    elle elles en encore entre es est et etaient etais etait etant ete etes etiez etions etre eu eue eues eurent
    eus eusse eut eux
    fait faut fois furent fus fut
    ici il ils
    j je jusqu jusque
    l la le les leur leurs lors lorsqu lorsque lui
    m ma mais me meme memes mes moi mon
    n ne ni nos notre nous
    on ont ou
    par parce pas peu peut plus pour pourquoi puis puisqu puisque
    qu quand que quel quelle quelles quels qui quoi quoiqu
    s sa sans se sera serai seraient serais serait seras serez seriez serions serons seront ses si sien sienne
    soi soient sois soit sommes son sont sous suis sur
    t ta te tes toi ton tous tout toute toutes tres tu
    un une unes uns
    va vers via voici voila vont vos votre vous
    y
    """.split()
)
