"""The intent of one turn by rules: what the words say the shopper wants done.

Rules run in order, most specific first, so a command is never mistaken for a search:
"what's in my list" is list_saved before "save" is seen, "remove it from my list" is
remove, "add it to my cart" is add_to_cart before "add it to my list" is save. Each
rule gives a confidence: a rule whose words leave no doubt says 0.95; a guess from
weaker evidence (a bare product word, a question with no command in it) says less, and
below ``SURE`` the learned fallback (``classifier``) is asked too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shopper_core.understanding.references import CART, IN_CART, superlative_of
from shopper_core.understanding.types import IntentKind, SortKey, Superlative

SURE = 0.8


@dataclass(frozen=True)
class RuleResult:
    intent: IntentKind
    confidence: float
    superlative: Superlative | None = None
    sort: SortKey | None = None
    topic: str | None = None


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_GREETING = _re(
    r"^(?:hi|hello|hey|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening|day)|morning|evening|"
    r"afternoon|hi there|"
    r"hello there|hey there|hey you|hey assistant|hi assistant|hello assistant)(?: there| again| everyone)?$"
)
_THANKS = _re(
    r"^(?:(?:ok(?:ay)?|great|perfect|awesome|cool|nice|lovely|brilliant|wonderful|excellent)\s+)?"
    r"(?:thanks?(?: you)?(?: (?:so|very) much)?(?: a lot| a bunch| again)?|thank u|thx|ty|cheers|"
    r"much appreciated|appreciate it|i appreciate (?:it|that|your help)|that's (?:helpful|great|perfect)|"
    r"that helps|you're (?:the best|a star|great))(?: (?:so much|for (?:the|your) help|for that))?$"
)
_GOODBYE = _re(
    r"^(?:(?:ok(?:ay)?|thanks?|great|alright)\s+)?(?:bye|goodbye|good bye|bye bye|see (?:you|ya)(?: later)?|"
    r"later|talk (?:to you )?later|that's all(?: for (?:now|today))?|that's it(?: for (?:now|today))?|"
    r"i'm done|i am done|we're done|i'm finished|that will be all|that'll be all|nothing else|"
    r"good night|have a (?:good|nice) (?:one|day|night)|i have to go|i gotta go|gotta go|i'm off|"
    r"stop|quit|exit|end(?: the)? (?:session|chat|conversation)|end|bye for now|cya|ciao)"
    r"(?: (?:and )?(?:thanks?|thank you|bye|for now|goodbye))?$"
)
_ENDS_WITH_BYE = _re(r"^(?:[\w']+ ){0,3}(?:bye|goodbye|bye bye|see you(?: later)?|cya|ciao)$")
_STARTS_WITH_THANKS = _re(r"^(?:(?:ok(?:ay)?|great|perfect|awesome|cool|oh) )?(?:thanks|thank you|cheers)\b")
_HELP = _re(
    r"^(?:help(?: me)?|i need help|can you help(?: me)?|what can you do|what (?:can|do) (?:i|"
    r"you) (?:say|ask|do)|"
    r"how does (?:this|it) work|how do i use (?:this|you)|what are (?:my|the|your) options|"
    r"what do you do|what are you able to do|what can you help (?:me )?with|options|commands|"
    r"what kind of things can (?:you do|i (?:say|ask))|how can you help(?: me)?|instructions|"
    r"i'm (?:lost|confused)|what now)$"
)
_SMALLTALK = (
    (_re(r"^(?:how are you|how are you doing|how's it going|how is it going|how do you do|what's up|sup|"
         r"how are things|how have you been|you doing ok|are you ok(?:ay)?)(?: today)?$"), "how_are_you"),
    (_re(r"^(?:who are you|what are you|what's your name|what is your name|who am i talking to|"
         r"are you (?:a )?(?:robot|bot|human|real|person|ai|machine))$"), "who_are_you"),
    (_re(r"^(?:tell me a joke|say something funny|make me laugh|know any jokes|do you know (?:a|"
         r"any) jokes?|joke)$"), "joke"),
    (_re(r"^(?:(?:can|could|would) you |please )?(?:repeat|say) (?:that|it|what you said|the last bit)"
         r"(?: again| one more time)?(?: please)?$|^(?:repeat|pardon|come again|sorry what)(?: please)?$|"
         r"^what did you (?:just )?say$|^(?:i )?(?:didn't|did not) (?:catch|hear) (?:that|what you said)$"),
     "repeat"),
    (_re(r"^(?:yes|yeah|yep|yup|no|nope|nah|no thanks|not really|never ?mind|forget it|maybe|"
         r"i don't know|dunno|whatever)$"), "chat"),
    (_re(r"^(?:i love you|you're (?:funny|smart|cool|awesome|nice)|good (?:job|bot)|well done|"
         r"nice work|lol|haha|"
         r"ok(?:ay)?|cool|nice|great|wow|hmm|right|sure|fine|alright|got it|i see|oh)$"), "chat"),
)  # fmt: skip

_LIST = (
    r"(?:list|saved(?: (?:items?|products?|stuff|things|list))?|saves|favou?rites|wish ?list|basket of saves)"
)
_LIST_SAVED = _re(
    rf"^(?:what(?:'s| is| are| do i have| have i got)|whats|wat's|show(?: me)?|list|read(?: me|"
    rf" out)?|tell me|"
    rf"open|check|view|see|go to|give me|can (?:i|you) (?:see|show me|read me|check)|let me see|"
    rf"remind me (?:of |what's in )?)\b.*\bmy {_LIST}\b(?!.*\b(?:add|save|put)\b)"
    r"|^(?:(?:now|so|and|ok|okay) )?what(?: have| did| do) i (?:have )?(?:saved?|kept|bookmarked|"
    r"liked|put on my list)\b"
    rf"|^(?:my {_LIST})$|^(?:anything|what's|what is|is there anything) (?:on|in) (?:my|the) {_LIST}\b"
    rf"|^how many (?:items|things|products)? ?(?:are |do i have )?(?:on|in) my {_LIST}\b|^(?:show|"
    rf"list) (?:my )?saved\b"
    r"|^(?:do|did) i (?:have|save) (?:anything|any|something|stuff|things|items)(?: saved| on my list)?\b"
    r"|^have i (?:saved|got) (?:anything|any)\b"
)
_ADD_TO_CART = _re(
    rf"\b(?:add|put|throw|place|move|stick|pop|drop)\b.*\b(?:to|in|into|on)\s+(?:(?:my|the)\s+)?{CART}\b"
    rf"|\b{CART}\b.*\b(?:add|put)\b|^(?:i'll|i will|i want to|i'd like to|let me|let's) (?:buy|"
    rf"purchase|order|checkout)\b"
    r"|^(?:buy|purchase|order) (?:it|that|this|the .+ one|that one|this one|"
    r"number (?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)|"
    r"the (?:first|second|third|last) one)$"
    rf"|^add to {CART}$"
)
_LIST_CART = _re(
    rf"^(?:what(?:'s| is| are| do i have| have i got| did i (?:put|add))|whats|show(?: me)?|list|read(?: me|"
    rf" out)?|tell me|open|check|view|see|go to|give me|can (?:i|you) (?:see|show me|read me|check)|"
    rf"let me see|how many (?:items |things |products )?(?:are |do i have )?)\b.*{IN_CART}"
    rf"|^(?:my {CART}|(?:show|open|check|view|see|read)(?: me)? (?:my |the )?{CART})\b"
    rf"|\bhow much is (?:my|the) {CART}\b"
    rf"|\bhow much (?:is|are|does|do) (?:everything|it all|all of it|all of them|the stuff|my stuff|"
    rf"the items|the things)\b.*{IN_CART}|\bwhat(?:'s| is) my total\b"
    rf"|^what (?:did|have) i (?:put|added|add)\b.*\b(?:to|in|into) (?:my |the )?{CART}\b"
    rf"|\bwhat(?:'s| is) (?:my |the )?{CART} total\b|\b{CART} total\b"
)
_ADDS_RE = _re(r"\b(?:add|put|throw|pop|stick)\s+(?:it|this|that|them|these|the|number|one)\b")
_REMOVE = _re(
    r"\b(?:remove|delete|unsave|take\b.*\boff|get rid of|drop|discard|erase|clear|forget about|scratch|"
    r"cross\b.*\boff|don't want\b.*\banymore|no longer want|throw away|toss|take\b.*\bout of)\b"
)
# "empty my cart", "clear my saved list": everything on a list (read as a removal of all).
_EMPTY = _re(
    rf"^(?:(?:please|can you|could you|just|ok)\s+)*(?:empty|clear|clear out|wipe|reset|empty out)\s+"
    rf"(?:(?:my|the|out)\s+)*(?:{CART}|(?:saved\s+)?(?:list|items|saves|favou?rites|wish ?list))\b"
)
_SAVE = _re(
    r"^(?:please )?(?:save|keep|bookmark|favou?rite|star|remember|store|like|heart|pin)\b"
    r"|^(?:please )?(?:grab|snag) (?:me )?(?:it|that|this|number \w+|the (?:[\w-]+ ){0,2}one)\b"
    rf"|\b(?:add|put|stick|pop)\b.*\b(?:to|on|in|onto)\s+(?:my|the)\s+{_LIST}\b"
    r"|\b(?:save|bookmark|keep)\s+(?:it|that|this|them|those|these|the|number|#|one)\b"
    r"|^(?:i'll|i will|i'd|i would|let me|i wanna|i want to|let's|lets|we'll|i think i'll|i guess i'll) "
    r"(?:take|keep|save|grab|go with|go for|have)\b"
    r"|^(?:i (?:want|like|love)) (?:it|that|this|that one|this one|the .+ one|number \d+)$"
    r"|\b(?:save|keep) (?:for later|it for later)\b|^(?:save|keep) (?:that|this|it) one\b"
)
_COMPARE = _re(
    r"\b(?:compare|comparison|compared|versus|vs|side by side|differences?|differ|contrast|stack up|"
    r"which (?:one )?is better|which should i (?:get|buy|choose|pick)|how do (?:they|the .+) compare|"
    r"which (?:one )?(?:is|'s) (?:cheaper|pricier|more expensive|bigger|smaller|lighter|newer)"
    r"(?=.* (?:or|and|vs) )|"
    r"which (?:of (?:them|these|the two) )?(?:would you|do you) (?:recommend|pick|choose))\b"
)
_SUPERLATIVE_FRAME = _re(
    r"^(?:which|what|who|whats|what's|tell me|show me|point out|give me|find|out of (?:these|them)|"
    r"of (?:these|them|those)|among (?:these|them))\b"
    r"|^(?:the )?(?:cheapest|most expensive|priciest|best rated|highest rated|top rated|best|least expensive)"
    r" (?:one|ones|of them|of these|option|here)\b"
    r"|^(?:the )?(?:cheapest|most expensive|priciest|best rated|highest rated|top rated|least expensive)$"
    r"|\b(?:of|among|out of) (?:these|them|those|the results|what you (?:showed|found))\b|\bone\??$"
)
_SORT = _re(
    r"^(?!.*\b(?:my|an|the|our|your) orders?\b)"  # "track my order from last week" sorts nothing
    r"(?:.*\b(?:sort|order|rank|arrange|organi[sz]e|reorder|re-?sort)\b.*\b(?:by|from|on|with)\b"
    r"|.*\b(?:lowest|cheapest|highest|most expensive|best rated|top rated|highest rated|least expensive)\s+"
    r"(?:price |prices |rated |rating |ones )?first\b)"
    r"|^(?:sort|order) (?:them|these|it|the results|results)$|\bsorted by\b|\bin order of\b"
    r"|\bfrom (?:cheapest|lowest|highest|most expensive) to\b|\bprice (?:low|high) to (?:high|low)\b"
)
_SORT_VERB = _re(r"^(?:(?:can you|please|now)\s+)?(?:sort|order|rank|arrange|list|put|show)\b")
_SORT_KEYS: tuple[tuple[re.Pattern[str], SortKey], ...] = (
    (_re(r"\b(?:rating|ratings|rated|reviews|stars|best|popular)\b"), "rating"),
    (_re(r"\b(?:highest|most expensive|high to low|descending|priciest|expensive first)\b"), "price_high"),
    (_re(r"\b(?:price|prices|cheap|cheapest|lowest|low to high|ascending|cost)\b"), "price_low"),
)
_MORE_LIKE = _re(
    r"\b(?:more|others?|anything|something|things|ones|products|items|stuff|some|options|choices)\s+"
    r"(?:just\s+)?like\s+"
    r"(?:this|that|it|these|those|the)\b|\bsimilar\b|\blike (?:this|that) one\b|\balternatives?\b"
    r"|\bsame kind\b|\bin the same (?:style|vein)\b|\bmore of (?:these|those|this|that)\b"
    r"|\b(?:more|others?|ones|stuff|things|something|anything) (?:just )?like (?:number|#|no) ?\d+\b"
    r"|\bmore like \d\b"
)
_GO_BACK = _re(
    r"^(?:(?:never ?mind|nah|no|ok(?:ay)?|actually|hmm|please|can you|can we|let's|just)\s+)*"
    r"(?:go back|back|take me back|undo that|undo)(?: to)?(?: (?:the|my|what i had|what you had|those))?"
    r"(?: (?:previous|last|earlier|old|other|first|original))?(?: (?:results?|ones|search|list|products))?"
    r"(?: (?:please|again))?$"
    r"|(?:.*\b)?(?:go|get|take me|switch|come) back to (?:the |those |my )?(?:[a-z']+ ){0,2}(?:from before|"
    r"from earlier|(?:you|we) (?:showed|had|found|saw)(?: me)?(?: before| earlier)?|before|earlier)$"
    r"|^(?:show me |bring back |can i see )?the (?:(?:previous|earlier|old|original) (?:results|ones|search|"
    r"products)|first (?:results|search))(?: again)?$"
)
_PREFERENCES = _re(
    r"\bwhat do i (?:usually |normally |typically |generally )?(?:like|prefer|buy|go for|want|save)\b"
    r"|\bmy (?:taste|tastes|preferences|style|favourite brands|favorite brands|usual|profile)\b"
    r"|\bwhat (?:do you|have you) (?:know|learned|learnt|remember|figured out) about (?:me|my)\b"
    r"|\bwhat(?:'s| is) my (?:style|taste|budget|size)\b|\bwhat (?:brands|colou?rs|sizes|styles) do i\b"
    r"|\bdo you know (?:what i like|my taste|me)\b|\bwhat are my preferences\b|"
    r"\bwhat kind of (?:stuff|things) do i like\b"
)
_PRICE = _re(
    r"\bhow much\b|\bwhat(?:'s| is| does| do|s)? (?:the )?(?:price|cost)\b|\bwhat does .* cost\b|"
    r"\bprice (?:of|for|on)\b"
    r"|\bcost of\b|\bhow (?:expensive|pricey|cheap) is\b|\bwhat(?:'s| is) (?:it|that) going for\b|^price\??$"
    r"|\bwhat do(?:es)? (?:it|they|that|this|the .+) (?:cost|go for|sell for)\b|\b(?:is|"
    r"are) (?:it|that|this) (?:expensive|pricey)\b"
    r"|\bwhat(?:'s| is) (?:the )?(?:price|cost) (?:tag|of)\b|\bthe price\b"
)
_RETAILER = _re(
    r"\bwhere(?:'s| (?:is|are|was|can i|could i|do i|does|do they|do you))\b.*\b(?:sold|buy|get|find|"
    r"from|bought|purchase|order|available|come from)\b"
    r"|\bwhich (?:store|shop|retailer|site|seller|website|vendor|merchant|marketplace)\b|"
    r"\bwho (?:sells|has|stocks|is selling)\b"
    r"|\bwhat (?:store|shop|retailer|site|seller|website|vendor|merchant)\b|\bwhere(?:'s|"
    r" is) (?:it|that|this) from\b"
    r"|\b(?:sold|offered) by (?:who|whom|what|which)\b|\bwhere (?:to|can i) buy\b|\bretailer\b|"
    r"\bseller\b|^where\??$"
)
_DESCRIBE = _re(
    r"\b(?:tell me (?:more )?about|more (?:info|information|details?) (?:on|about)|describe|"
    r"details (?:on|of|about)|"
    r"what(?:'s| is| are) (?:the )?(?:specs|features|details)|give me (?:the )?(?:details|specs|info)|"
    r"what(?:'s| is) (?:it|that|this)(?: like)?|what(?:'s| is) (?:the )?(?:first|second|third|"
    r"fourth|fifth|last|top|next) one|"
    r"read (?:me )?(?:the )?description|any (?:more )?details|tell me more|more about|go on about|"
    r"what can you tell me about|what do you know about (?:it|that|the)|explain|elaborate|zoom in on|"
    r"let me hear about|let's hear about|info on|specs (?:of|on|for)|what about (?:it|that|this|the)|"
    r"more on (?:it|that|this|the|number|#)|"
    r"what(?:'s| is| are|s) (?:the|that|this|number) (?:[\w'-]+ ){0,2}(?:one |ones )?like$|"
    r"how about (?:it|that|this|the)|is (?:it|that|this|the \w+(?: one)?) (?:any )?good|"
    r"what(?:'s| is) special about|"
    r"open (?:it|that|the)|look at (?:it|that|the))\b"
)
_RELATIVES = (
    (_re(r"\b(?:cheaper|cheeper|less expensive|lower (?:price|priced|cost)|more affordable|less pricey|"
         r"less costly|a bit less|not so expensive|go (?:a (?:bit|little) |any |even )?lower|lower please|"
         r"(?<!not )too expensive|(?<!not )too pricey|costs? less|"
         r"(?:something|anything|one) (?:for )?less|save (?:some )?money|spend less(?! than)|less money|"
         r"budget(?:ier| option|"
         r" friendlier))\b"), "cheaper"),
    (_re(r"\b(?:more expensive|pricier|higher[\s-](?:end|priced|price)|fancier|more premium|more upscale|"
         r"better quality|costs? more(?! than)|too cheap|(?:something|anything) nicer|step up|"
         r"spend more(?! than)|"
         r"more high end)\b"), "pricier"),
    (_re(r"\b(?:better[\s-]rated|higher[\s-]rated|better reviews|better ratings|more stars|higher ratings?|"
         r"better reviewed|rated better|rated higher|well reviewed ones|with better (?:reviews|"
         r"ratings)|^(?:is there |are there |got |have you got )?(?:anything|something|any|ones?) better)\b"),
     "better_rated"),
)  # fmt: skip
_REFINE_FRAME = _re(
    r"\b(?:instead|only|just|rather|but|any|what about|how about|show me (?:the|those|them|ones|some)|"
    r"do (?:they|you have (?:it|them|those|that|these|this|one|ones)) (?:come )?in|"
    r"(?:do|does) (?:any|some|one) of (?:them|these|those) (?:come )?in|"
    r"(?:the )?ones?|those|them|these|do you have (?:it|them|those|that|these|this|one|ones)\b|"
    r"same (?:thing|but)|make it|change (?:it|the)|switch to|filter|narrow|limit|keep it|stay|only show|"
    r"can i see (?:them|those|these)|let's (?:try|see)|try|anything|something|more)\b"
)
_SEARCH_CUE = _re(
    r"\b(?:find|search|look(?:ing)? for|looking|show me|get me|buy me|i need|i want|i'd like|i would like|"
    r"do you(?: guys| all| folks)? (?:have|sell|carry|stock)|got any|have you got|any|recommend|suggest|"
    r"i'm after|"
    r"in the market for|"
    r"shopping for|hunting for|gimme|give me|can i get|could i get|i'm thinking|i wanna|"
    r"help me (?:find|choose|pick))\b"
)
_QUESTION = _re(
    r"^(?:what|who|when|why|how|where|which|is|are|do|does|did|can|could|would|will|should|tell me)\b"
)
# A question about one product ("does the first one come in black", "how many stars does the
# jbl have", "what's the warranty on it"): answered by describing it, never a search.
_ASKS_ABOUT_ONE = _re(
    r"^(?:is|does|has|will (?:it|that|this|the)|would (?:it|that|this|the)|do (?:the|those|these|they)|"
    r"are (?:the|those|these|they)|"
    r"how (?:big|small|heavy|light|long|wide|tall|loud|good|well|old|fast|large|many (?:stars|reviews))|"
    r"what(?:'s| is| are|s) (?:the )?(?:rating|ratings|reviews|stars|colou?rs?|sizes?|brand|warranty|"
    r"battery(?: life)?|screen(?: size)?|weight|dimensions|material|capacity|resolution|specs?)\b|"
    r"what (?:colou?rs?|sizes?|brand) (?:does|do|is|are)\b)"
)
_OFF_TOPIC = _re(
    r"\b(?:weather|forecast|rain|temperature outside|news|president|capital of|meaning of life|time is it|"
    r"what time|what day|date today|sports score|score of|stock price|recipe|cook|calculate|math|"
    r"homework|play (?:a |some )?(?:song|music)|call|text|email|remind me to|alarm|timer|directions|"
    r"translate|define|wikipedia|born|population|movie|film|tv show|traffic|flight|hotel|"
    r"bitcoin|crypto|who won|last night)\b|\b\d+ (?:plus|minus|times|divided by) \d+\b"
)

# More phrasings of the same intents, kept apart so each pattern above stays readable.
_GREETING_MORE = _re(r"^(?:hi|hello|hey|heya|hiya|howdy)(?:[ ,]+(?:hi|hello|hey|heya|there|again|you))*$")
_THANKS_MORE = _re(
    r"^(?:(?:ok(?:ay)?|great|perfect|awesome|cool|nice|lovely|that's great|brilliant)[ ,]+)?"
    r"(?:thanks|thank you|cheers|ta|many thanks|appreciate (?:the|your) help|thank you kindly|"
    r"thanks (?:mate|buddy|pal|heaps)|cheers (?:mate|buddy))(?: (?:mate|buddy|kindly|again|a lot))?$"
)
_GOODBYE_MORE = _re(
    r"^(?:(?:ok(?:ay)?|alright|right|well)[ ,]+)?(?:bye now|catch you later|i'm (?:leaving|off|heading off)"
    r"(?: now)?|signing off|logging off|gotta run|i'm out|until next time|see ya later|"
    r"that's everything(?:,? bye)?|that's all i need(?:ed)?)$"
)
_HELP_MORE = _re(
    r"\bwhat (?:can|should|do) i (?:do|say|ask)(?: (?:here|you|now))?$|^help (?:please|me out|me)$"
    r"|^how does (?:this|it|this thing|the app) work\b"
    r"|\bhow do i (?:use|do) (?:this|you|it)\b|\bhow does (?:this|the) (?:thing|assistant|app|bot) work\b"
    r"|\b(?:not sure|don't know|no idea) what to (?:say|ask|do)\b|\bexplain what you (?:do|can do)\b"
    r"|\bwhat (?:can|does) this (?:thing )?do\b|\bwhat are (?:the )?things you can do\b"
    r"|\bwhat (?:are you able to|can you) help (?:me )?with\b"
)
_SMALLTALK_MORE = (
    (_re(r"^how(?:'s| is) your day(?: going)?$|^how are things$|^how(?:'s| is) life$"), "how_are_you"),
    (_re(r"^(?:who (?:made|built|created) you|what should i call you|are you (?:a )?(?:human|person))$"),
     "who_are_you"),
    (_re(r"^(?:tell me something funny|got any jokes|know any good jokes|say something funny)$"), "joke"),
    # "lol sorry my cat just walked across the keyboard": a story, not a request
    (_re(r"^(?:(?:lol|haha|sorry|oops|whoops|oh|omg|ugh)\s+)+(?:my|the|our) [a-z']+ (?:just |accidentally |"
         r"totally )?[a-z]+(?:ed|ped|ted)\b"), "chat"),
)  # fmt: skip
_PRICE_MORE = _re(
    r"\b(?:set me back|how pricey|how much (?:are we talking|would (?:it|that|this) be))\b"
    r"|^what(?:'s| is| does) (?:it|that|this|the .+?|number \d+)(?: one)? costs?$|\bcosts?\??$"
)
_RETAILER_MORE = _re(
    r"\bwho(?:'s| is)? (?:selling|sells)\b|\bwhere (?:would|could|should|can|do|does) (?:i|we|you|they)\b"
    r".*\b(?:buy|get|find|pick|order|sell)\b|\bwhere (?:do|does) (?:they|you) sell\b"
)
_COMPARE_MORE = _re(
    r"^(?:is|are|was) (?:the |that |this )?[\w' -]+? (?:cheaper|pricier|more expensive|better|bigger|smaller|"
    r"lighter|heavier|newer|better rated) than (?:(?:the|that|this) )?(?:number \w+|(?!\d)\w+)|"
    r"\bdiff\b|\bweigh (?:up|them)\b|\bline them up\b|\bagainst each other\b|\bhead to head\b"
    r"|\b(?:first|second|third|fourth|last|top|number \d+|\d)\b.*\bor\b.*\b(?:which|pick|choose|get)\b"
    r"|\bwhich (?:is|one is) better\b"
    r"|\bwhich of (?:these|the|them|those)(?: two| three)? is (?:better|best)\b"
    r"|\bwhich\b.*\bis (?:the )?better (?:buy|deal|one|choice|option|value|pick)\b"
)
_MORE_LIKE_MORE = _re(
    r"\b(?:else|other ones|others|more|items|stuff|products|ones) (?:just )?like (?:this|that|it)\b"
    r"|\bin (?:that|this|the same) style\b|\bsimilar to\b|\blike (?:it|that|this)$"
)
_PREFERENCES_MORE = _re(
    r"\bwhat (?:do|did) i (?:\w+ )?(?:like|prefer|buy|go for|tend to buy)\b|\bremember what i like\b"
    r"|\bmy favou?rite (?:colou?rs?|brands?|styles?|sizes?)\b|\bwhat (?:do you think|"
    r"would you say) my taste\b"
    r"|\bwhat (?:brands|colou?rs|sizes|styles) do i\b|\bwhat (?:sort|kind) of (?:budget|price)\b.*\bi\b"
    r"|\bwhat do i tend to\b|\bremind me (?:of )?my (?:preferences|taste)\b"
)
_ASSISTANT_COMMAND = _re(
    r"^(?:turn|switch) (?:on|off|up|down)\b|\bset (?:a|an|the) (?:timer|alarm|reminder)\b"
    r"|\b(?:track|cancel|return|refund|change) (?:my|an|the|our|this) "
    r"(?:order|package|parcel|delivery|purchase)"
    r"|\bwhere(?:'s| is) my (?:order|package|parcel|delivery|refund)\b"
    r"|^open the (?:door|garage|window|blinds)\b|^(?:play|sing|call|text|email|dial|navigate)\b"
    r"|^order (?:a |some )?(?:pizza|food|taxi|uber|cab|takeout)\b"
    r"|\bhow (?:far|old|tall|big) is (?!(?:it|that|this|the \w+ (?:on|of) (?:it|that|this|the|number))\b)"
    r"|^who (?:wrote|invented|discovered|painted|is the)\b|\bwhat's on tv\b"
)


# "from cheapest to most expensive", "highest price to lowest": the first end named is first.
_LOW_END = r"cheapest|lowest|low|least expensive|cheap|bottom"
_HIGH_END = r"highest|high|most expensive|priciest|dearest|expensive|top"
_DIRECTION = _re(
    rf"\b(?P<a>{_LOW_END}|{_HIGH_END})(?: price| prices| priced| cost)? to (?:the )?"
    rf"(?:{_LOW_END}|{_HIGH_END})\b"
)


def sort_key(text: str) -> SortKey:
    rating = _SORT_KEYS[0]
    if rating[0].search(text) and not re.search(r"\bprices?\b", text):
        return rating[1]
    if m := _DIRECTION.search(text):
        return "price_low" if re.fullmatch(_LOW_END, m.group("a")) else "price_high"
    for regex, key in _SORT_KEYS:
        if regex.search(text):
            return key
    return "price_low"


def relatives_of(text: str) -> tuple[str, ...]:
    return tuple(kind for regex, kind in _RELATIVES if regex.search(text))


# "and which is the cheapest", "so what's the price": a connective before the command.
_LEADING_CONNECTIVE = _re(
    r"^(?:(?:and|also|plus|so|then|now|oh|and also|and then|and now|ok|okay|alright|right|perfect|great|"
    r"cool|nice|awesome|lovely|yes|yeah|yep|sure)\s+)+(?=\S)"
)


# "show me the rest", "next page", "what else do you have": every result is on the page already,
# so these are not searches for the words "rest" or "page" (the reply says what can be done).
_MORE_RESULTS = _re(
    r"^(?:(?:can you |please |just )?(?:show|give|tell)(?: me)?|can i see|let me see|what about)?\s*"
    r"(?:the rest(?: of them)?|more results|more options|next page|the next (?:page|ones|few)|the others|"
    r"what else(?: do you have| is there| have you got| you got)?|anything else(?: you have)?)(?: please)?$"
)
_LIST_WORD = _re(rf"\b{_LIST}\b")
# "clear the filters", "drop the price limit": a search setting, never a saved item.
_CLEARS_A_FILTER = _re(
    r"\b(?:drop|clear|remove|reset|delete|get rid of|take off)\b.*"
    r"\b(?:price|below|under|filters?|limits?|search|sort(?:ing)?|budget|colou?r|brand|rating)\b"
)


# "which ones cheaper", "which of those is cheaper", "which one costs less": of what is shown,
# the one that is (a question, not a new ceiling).
_WHICH_IS = _re(
    r"^(?:so |and |ok |okay )?(?:which|what)(?: ones?| of (?:those|these|them|the two|those two|these two))?"
    r"(?: two)?(?:'s| is| are|s)?(?: the)? (?P<what>cheaper|less expensive|cheapest|costs? less|"
    r"more expensive|pricier|costs? more|better rated|rated higher|better reviewed)(?: one| of the two)?$"
)
_WHICH_KIND: dict[str, Superlative] = {
    "cheaper": "cheapest", "less expensive": "cheapest", "cheapest": "cheapest", "cost less": "cheapest",
    "costs less": "cheapest", "more expensive": "most_expensive", "pricier": "most_expensive",
    "cost more": "most_expensive", "costs more": "most_expensive",
}  # fmt: skip
# "cart?", "my list?": a one-word question about a list is that list.
_BARE_CART = _re(rf"^(?:my |the )?{CART}\??$")
_BARE_LIST = _re(r"^(?:my |the )?(?:list|saved|saves|saved items|wish ?list|favou?rites)\??$")
_WHATS_LEFT = _re(r"^(?:and |so |ok )?(?:what's|what is|whats) (?:left|still there|on it now|there now)\b")


def command_intent(text: str, has_results: bool) -> RuleResult | None:
    """Intents said by their command words; None when no command is said."""
    if not text:
        return RuleResult("unknown", 0.95)
    text = _LEADING_CONNECTIVE.sub("", text)
    if _ASSISTANT_COMMAND.search(text):
        return RuleResult("unknown", 0.85)
    if _GREETING.match(text) or _GREETING_MORE.match(text):
        return RuleResult("greeting", 0.95)
    if _THANKS.match(text) or _THANKS_MORE.match(text):
        return RuleResult("thanks", 0.95)
    if _GOODBYE.match(text) or _ENDS_WITH_BYE.search(text) or _GOODBYE_MORE.match(text):
        return RuleResult("goodbye", 0.95)
    if _HELP.match(text) or _HELP_MORE.search(text):
        return RuleResult("help", 0.95)
    if _MORE_RESULTS.match(text):
        return RuleResult("unknown", 0.85)
    if _BARE_CART.match(text):
        return RuleResult("list_cart", 0.9)
    if _BARE_LIST.match(text) or _WHATS_LEFT.match(text):
        return RuleResult("list_saved", 0.85)
    if has_results and (m := _WHICH_IS.match(text)):
        kind = _WHICH_KIND.get(m.group("what"), "best_rated")
        return RuleResult("superlative", 0.9, superlative=kind)
    for regex, topic in (*_SMALLTALK, *_SMALLTALK_MORE):
        if regex.match(text):
            return RuleResult("smalltalk", 0.9, topic=topic)
    clears = _CLEARS_A_FILTER.search(text) and not re.search(r"\d", text)  # "drop it to under 300" refines
    if clears and not re.search(IN_CART, text) and not _LIST_WORD.search(text):
        return RuleResult("unknown", 0.85)  # no filter is taken back by voice yet: never a removal
    if _EMPTY.search(text):
        in_cart = re.search(rf"\b{CART}\b", text)
        return RuleResult("remove_from_cart" if in_cart else "remove", 0.95)
    if _REMOVE.search(text) and re.search(IN_CART, text):
        return RuleResult("remove_from_cart", 0.95)
    if _LIST_CART.search(text) and not _ADDS_RE.search(text):
        return RuleResult("list_cart", 0.95)
    if _LIST_SAVED.search(text):
        return RuleResult("list_saved", 0.95)
    if _ADD_TO_CART.search(text):
        return RuleResult("add_to_cart", 0.95)
    if _REMOVE.search(text) and not _CLEARS_A_FILTER.search(text):
        return RuleResult("remove", 0.9)
    if _SAVE.search(text):
        return RuleResult("save", 0.9)
    if _PREFERENCES.search(text) or _PREFERENCES_MORE.search(text):
        return RuleResult("preferences", 0.9)
    if _GO_BACK.match(text):
        return RuleResult("go_back", 0.9)
    if _SORT.search(text) or (_SORT_VERB.search(text) and _DIRECTION.search(text)):
        return RuleResult("sort", 0.9, sort=sort_key(text))
    if _COMPARE.search(text) or _COMPARE_MORE.search(text):
        return RuleResult("compare", 0.9)
    superlative = superlative_of(text)
    if superlative and _SUPERLATIVE_FRAME.search(text) and (has_results or _QUESTION.match(text)):
        return RuleResult("superlative", 0.9 if has_results else 0.7, superlative=superlative)
    if _MORE_LIKE.search(text) or _MORE_LIKE_MORE.search(text):
        return RuleResult("more_like", 0.9)
    if _RETAILER.search(text) or _RETAILER_MORE.search(text):
        return RuleResult("retailer", 0.9)
    if (_PRICE.search(text) or _PRICE_MORE.search(text)) and not _SEARCH_CUE.search(text):
        return RuleResult("price", 0.9)
    if _DESCRIBE.search(text):
        return RuleResult("unknown" if _OFF_TOPIC.search(text) else "describe", 0.85)
    if _STARTS_WITH_THANKS.search(text):
        return RuleResult("thanks", 0.85)  # "thank you so much, you're a star": no command in it
    return None


def is_off_topic(text: str) -> bool:
    return bool(_OFF_TOPIC.search(text))


def asks_about_one(text: str) -> bool:
    return bool(_ASKS_ABOUT_ONE.search(text))


def is_question(text: str) -> bool:
    return bool(_QUESTION.match(text))


def has_search_cue(text: str) -> bool:
    return bool(_SEARCH_CUE.search(text))


def has_refine_frame(text: str) -> bool:
    return bool(_REFINE_FRAME.search(text))
