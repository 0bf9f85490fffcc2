"""Word lists the English recognizers share (data, not logic)."""

from __future__ import annotations


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


# Street types: the USPS standard suffixes plus the common UK, Irish,
# Australian and New Zealand ones, full and abbreviated.
STREET_TYPES = _words(
    """
    alley aly allee annex anx arcade arc avenue ave av bayou beach bch bend bluff bluffs
    bottom boulevard blvd branch bridge brg brook brooks burg burgs bypass byp camp
    canyon cape causeway cswy center centre ctr centers circle cir circles cliff cliffs
    club common commons corner corners course court ct courts cove coves creek crescent
    cres cr crest crossing xing crossroad curve dale dam divide drive dr drives estate
    estates expressway expy extension ext extensions fall falls ferry field fields flat
    flats ford fords forest forge forges fork forks fort freeway fwy garden gardens gdns
    gateway glen glens green greens grove gr grv groves harbor harbour harbors haven
    heights hts highway hwy hill hills hollow inlet island islands isle junction jct
    junctions key keys knoll knolls lake lakes land landing lane ln light lights loaf
    lock locks lodge loop mall manor manors meadow meadows mews mill mills mission
    motorway mount mountain mtn mountains neck orchard oval overpass park parks parkway
    pkwy parkways pass passage path pike pine pines place pl plain plains plaza plz
    point pt points port ports prairie radial ramp ranch rapid rapids rest ridge rdg
    ridges river road rd roads route rte row rue run shoal shoals shore shores skyway
    spring springs spur spurs square sq squares station stravenue stream street st
    streets summit terrace ter tce throughway trace track trafficway trail trl tunnel
    turnpike tpke underpass union unions valley valleys via viaduct view views village
    villages ville vista walk walks wall way ways well wells close cl chase copse
    esplanade esp parade pde promenade rise strand wharf quay wynd vale grange approach
    circuit cct concourse cove crossway glade gate gateway heath hollow link loop mead
    pathway pwy retreat ridgeway causeway boardwalk bypass outlook grove broadway drift
    end reach slope track access alleyway amble anchorage artery basin brace brae brow
    byway centreway circlet circus colonnade corso courtyard cross cruiseway cul-de-sac
    cutting dell driveway entrance fairway firetrail footway foreshore frontage gap
    gates gully highroad interchange laneway lees lookout meander mew nook parklands
    piazza plateau pocket quad quadrangle quadrant quays ramble range reserve ride
    riverway riviera roadside roadway ronde rosebowl rotary siding stairs steps subway
    tarn thoroughfare tollway tor towers triangle trunkway villas wade walkway
    """
)

UNIT_WORDS = (
    r"(?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|Level|Lvl|Room|Rm|Studio|Building|Bldg|"
    r"Block|Box|PO Box|P\.O\. Box|Lot|Shop|Office|#)"
)

US_STATES = _words(
    """
    AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV
    NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP
    AA AE AP
    """
)
CA_PROVINCES = _words(
    """
    AB BC MB NB NL NS NT NU ON PE QC SK YT
    """
)
AU_STATES = _words(
    """
    NSW VIC QLD WA SA TAS ACT NT
    """
)

# Capitalised words that start sentences, greet or sign off, but are no
# names and no place names. Used to stop names and address lines growing.
COMMON_CAPITALISED = _words(
    """
    i i'm i've i'd i'll im a an the and or but so if then this that these those there
    here my our your his her their its we you he she they it me us them hi hello hey
    dear thanks thank thankyou cheers regards best kind warm many sincerely yours love
    bye please sorry yes no ok okay sure great good morning afternoon evening night team
    support customer customers service sir madam all everyone everybody folks guys again
    there just also unfortunately however could can would will should may might must do
    does did is are was were have has had be been being what when where why how who
    which whom whose monday tuesday wednesday thursday friday saturday sunday today
    tomorrow yesterday january february march july september
    october november december mr mrs ms miss mx dr prof order account card phone email
    address number street road note update re fw fwd subject attn urgent help hello,
    mate heaps lots loads much lot guys folks anyway
    """
)

GREETINGS = (
    r"(?:Hi|Hello|Hey|Dear|Morning|Good morning|Good afternoon|Good evening|Greetings|Hiya|Howdy|"
    r"Happy birthday|Happy anniversary|Congratulations|Congrats|Welcome|Goodbye|Bye)"
)
SIGN_OFFS = (
    r"(?:Thanks|Thank you|Many thanks|Thanks again|Thanks so much|Thx|Regards|Kind regards|"
    r"Best regards|Warm regards|Best wishes|Best|Cheers|Sincerely|Yours sincerely|"
    r"Yours truly|Yours faithfully|Respectfully|All the best|Take care|Talk soon|Love)"
)
INTRODUCTIONS = (
    r"(?:my name is|my name's|name is|this is|i am|i'm|im|call me|it's|it is|signed|"
    r"full name|name|customer|account holder|cardholder|spoke to|spoke with|talked to|"
    r"speak to|speak with|ask for|agent|from|cc|attn|attention|for|to|with|by|and)"
)
THANKS = r"(?:Thanks|Thank you|Thanks so much|Many thanks|Cheers|Ta|Thx|Ty)"
TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lady|Lord)"
