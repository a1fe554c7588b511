/** The word lists of fact extraction, each in one place: relations, months, diets, allergens, garments and sizes, brands, household nouns, occasions, currencies. */
import type { Allergen, Diet } from '../types.js';

export const RELATIONS = [
  'mother-in-law',
  'father-in-law',
  'sister-in-law',
  'brother-in-law',
  'mother in law',
  'father in law',
  'in-laws',
  'in laws',
  'best friend',
  'grandmother',
  'grandfather',
  'granddaughter',
  'grandson',
  'grandkids',
  'grandchildren',
  'grandma',
  'grandpa',
  'granny',
  'grandad',
  'granddad',
  'nana',
  'papa',
  'mom',
  'mum',
  'mommy',
  'mummy',
  'mother',
  'dad',
  'daddy',
  'father',
  'stepmom',
  'stepdad',
  'stepson',
  'stepdaughter',
  'sister',
  'sis',
  'brother',
  'bro',
  'wife',
  'husband',
  'hubby',
  'spouse',
  'partner',
  'son',
  'daughter',
  'kids',
  'kid',
  'children',
  'child',
  'baby',
  'toddler',
  'boyfriend',
  'girlfriend',
  'bf',
  'gf',
  'fiance',
  'fiancee',
  'fiancé',
  'fiancée',
  'friend',
  'bestie',
  'boss',
  'coworker',
  'co-worker',
  'colleague',
  'roommate',
  'aunt',
  'auntie',
  'uncle',
  'niece',
  'nephew',
  'cousin',
  'parents',
  'twins',
  'teacher',
  'neighbor',
  'neighbour',
  'ex-wife',
  'ex-husband',
  'ex-boyfriend',
  'ex-girlfriend',
  'ex',
  'godson',
  'goddaughter',
  'family',
  'sons',
  'daughters',
  'nephews',
  'nieces',
  'brothers',
  'sisters',
  'friends',
  'cousins',
  'grandparents',
  'teen',
  'teenager',
  'guy',
  'girl',
  'boy',
];
export const REL = RELATIONS.map((r) => r.replace(/[-]/g, '[- ]')).join('|');
export const REL_RE = new RegExp(`^(?:${REL})$`);

/** Capitalised words that are not names when they open a clause. */
export const NOT_NAMES = new Set(
  (
    'i me my we our you your he she they his her their it this that these those the a an and but so or ' +
    'what when where why how which who is are am was do does did can could would will should have has ' +
    'any some please thanks thank hi hello hey ok okay yes no not just also maybe every everyone ' +
    'nobody somebody someone anyone everything nothing something find show looking need want get give ' +
    'help send tell let recommend suggest surprise stop start forget delete remove my our dad mom love ' +
    'like hate never only always fyi btw by oh well honestly actually really big not allergic wheat ' +
    'veggie vegan gluten keto paleo kosher halal our none'
  ).split(' '),
);

export const MONTH: Record<string, number> = {
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
};
export const MONTH_RE =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';

export const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  hundred: 100,
};

export const DIETS: [RegExp, Diet][] = [
  [/\b(vegan|veganism|plant[- ]based)\b/, 'vegan'],
  [
    /\b(vegetarian|vegitarian|vegetarians|veggie|veggies|do not eat meat|don't eat meat|doesn't eat meat|does not eat meat|no longer eat meat|stopped eating meat)\b/,
    'vegetarian',
  ],
  [/\b(pescatarian|pescetarian|pescatarians)\b/, 'pescatarian'],
  [
    /\b(gluten[- ]?free|celiac|coeliac|no gluten|(?:don't|doesn't|do not|does not|never) eats? gluten)\b/,
    'gluten_free',
  ],
  [/\b(keto|ketogenic)\b/, 'keto'],
  [/\b(paleo)\b/, 'paleo'],
  [/\b(dairy[- ]?free|no dairy|(?:don't|doesn't|do not|does not|never) (?:eat|eats|do|does) dairy)\b/, 'dairy_free'],
  [/\b(low[- ]?sugar|sugar[- ]free|no sugar|diabetic|diabetes)\b/, 'low_sugar'],
  [/\b(halal)\b/, 'halal'],
  [/\b(kosher)\b/, 'kosher'],
];

/** A food given up, as a habit ("cutting carbs these days", "gave up dairy"), and the diet it means. */
export const GIVEN_UP_FOODS: [RegExp, Diet][] = [
  [/^(?:carbs?|carbohydrates|bread and pasta)$/, 'keto'],
  [/^(?:meat|red meat and chicken)$/, 'vegetarian'],
  [/^(?:animal products|all animal products|meat and dairy)$/, 'vegan'],
  [/^(?:gluten|wheat and gluten)$/, 'gluten_free'],
  [/^(?:dairy|milk and cheese)$/, 'dairy_free'],
  [/^(?:sugar|sweets|added sugar|refined sugar)$/, 'low_sugar'],
];
export const GIVE_UP =
  "(?:cut(?:ting)?\\s+(?:out\\s+|back\\s+on\\s+|down\\s+on\\s+)?|off\\s+|gave\\s+up\\s+|giving\\s+up\\s+|given\\s+up\\s+|quit(?:ting)?\\s+|stopped\\s+(?:eating\\s+)?|avoid(?:ing)?\\s+|no\\s+more\\s+|stay(?:ing)?\\s+away\\s+from\\s+|(?:don't|doesn't|do\\s+not|does\\s+not|no\\s+longer|never)\\s+(?:eat|eats|have|has|touch|touches)\\s+(?:any\\s+)?|low[- ])(?:all\\s+)?";
export const GIVEN_UP_WORDS =
  '(?:carbs?|carbohydrates|bread and pasta|red meat and chicken|meat and dairy|meat|all animal products|animal products|wheat and gluten|gluten|milk and cheese|dairy|added sugar|refined sugar|sugar|sweets)';

/** Verbs of a habit ("I don't drink coffee anymore", "stopped eating chocolate", "quit soda"). */
export const HABIT_VERBS =
  'drink|drinks|drinking|eat|eats|eating|use|uses|using|smoke|smokes|smoking|wear|wears|wearing|buy|buys|buying';

/** Words that say a statement corrects what we had ("that's wrong, I don't like olives"). */
export const CORRECTION_CUE =
  /\b(?:that's wrong|that is wrong|that's not (?:right|true|correct)|that is not (?:right|true|correct)|that's incorrect|not true|wrong,|you got (?:it|that) wrong|i never said|i didn't say|never told you|i don't (?:actually )?like (?:that|those) anymore|correction|actually no|no,? i (?:don't|never|do not))\b/;

export const ALLERGENS: [RegExp, Allergen][] = [
  [/^(peanuts?|peanut butter|groundnuts?)$/, 'peanuts'],
  [
    /^(tree[- ]?nuts?|nuts?|almonds?|walnuts?|cashews?|pecans?|hazelnuts?|pistachios?|macadamias?|macadamia nuts|brazil nuts)$/,
    'tree_nuts',
  ],
  [/^(shellfish|shrimps?|prawns?|crabs?|lobsters?|clams?|mussels?|oysters?|scallops?|crustaceans?)$/, 'shellfish'],
  [/^(dairy|milk|lactose|cheese|cow'?s milk|dairy products)$/, 'dairy'],
  [/^(eggs?)$/, 'eggs'],
  [/^(soy|soya|soybeans?|soy beans?)$/, 'soy'],
  [/^(gluten)$/, 'gluten'],
  [/^(fish|salmon|tuna|cod|seafood)$/, 'fish'],
  [/^(wheat)$/, 'wheat'],
  [/^(sesame|sesame seeds?|tahini)$/, 'sesame'],
];
export const ALLERGEN_WORDS =
  'peanuts?|peanut butter|tree[- ]?nuts?|nuts?|almonds?|walnuts?|cashews?|pecans?|hazelnuts?|pistachios?|shellfish|shrimps?|prawns?|crabs?|lobsters?|clams?|mussels?|oysters?|scallops?|dairy|milk|lactose|cheese|eggs?|soy|soya|soybeans?|gluten|fish|salmon|tuna|seafood|wheat|sesame(?: seeds?)?|tahini';

/** Garment words and the item they are filed under. */
export const ITEMS: [RegExp, string][] = [
  [/^(shoes?|sneakers?|trainers?|boots?|heels|sandals?|loafers?|footwear|runners|feet|foot)$/, 'shoes'],
  [/^(pants|jeans|trousers|slacks|chinos|leggings)$/, 'pants'],
  [/^(shirts?|t-?shirts?|tees?|tops?|blouses?|polos?|tshirts?)$/, 'shirt'],
  [/^(dress|dresses)$/, 'dress'],
  [/^(rings?)$/, 'ring'],
  [/^(jackets?)$/, 'jacket'],
  [/^(coats?)$/, 'coat'],
  [/^(sweaters?|jumpers?)$/, 'sweater'],
  [/^(hoodies?|sweatshirts?)$/, 'hoodie'],
  [/^(skirts?)$/, 'skirt'],
  [/^(shorts)$/, 'shorts'],
  [/^(bras?)$/, 'bra'],
  [/^(hats?|caps?)$/, 'hat'],
  [/^(gloves?)$/, 'gloves'],
  [/^(socks?)$/, 'socks'],
  [/^(suits?|blazers?)$/, 'suit'],
  [/^(belts?)$/, 'belt'],
  [/^(swimsuits?|bikinis?)$/, 'swimsuit'],
];
export const ITEM_WORDS =
  'feet|foot|shoes?|sneakers?|trainers?|boots?|heels|sandals?|loafers?|footwear|pants|jeans|trousers|slacks|chinos|leggings|shirts?|t-?shirts?|tees?|tops?|blouses?|polos?|dress|dresses|rings?|jackets?|coats?|sweaters?|jumpers?|hoodies?|sweatshirts?|skirts?|shorts|bras?|hats?|gloves?|socks?|suits?|blazers?|belts?|swimsuits?|bikinis?|clothes|clothing';

export const LETTER_SIZES: [RegExp, string][] = [
  [/^(xxxl|3xl|xxx-?large)$/, 'XXXL'],
  [/^(xxl|2xl|xx-?large|extra extra large|double xl)$/, 'XXL'],
  [/^(xl|x-?large|extra[- ]large)$/, 'XL'],
  [/^(xxs|2xs|extra extra small)$/, 'XXS'],
  [/^(xs|x-?small|extra[- ]small)$/, 'XS'],
  [/^(l|large|lg)$/, 'L'],
  [/^(m|medium|med)$/, 'M'],
  [/^(s|small|sm)$/, 'S'],
];
export const LETTER_WORDS =
  'xxxl|3xl|xxx-?large|xxl|2xl|xx-?large|extra extra large|xl|x-?large|extra[- ]large|xxs|xs|x-?small|extra[- ]small|large|medium|small|l|m|s';

/** Brands we recognise by name; capitalised unknown words after "buy"/"wear" are treated as brands too. */
export const BRANDS = new Set(
  (
    'nike|adidas|puma|reebok|new balance|asics|under armour|under armor|lululemon|patagonia|north face|the north face|columbia|' +
    "arcteryx|arc'teryx|levi's|levis|levi|gap|old navy|zara|h&m|uniqlo|shein|forever 21|banana republic|j.crew|j crew|" +
    'ralph lauren|polo ralph lauren|tommy hilfiger|calvin klein|gucci|prada|chanel|louis vuitton|coach|michael kors|' +
    'kate spade|vans|converse|crocs|birkenstock|ugg|dr. martens|doc martens|timberland|skechers|allbirds|hoka|brooks|' +
    'apple|samsung|sony|lg|google|microsoft|dell|hp|lenovo|asus|bose|beats|jbl|sonos|dyson|kitchenaid|le creuset|' +
    'cuisinart|ninja|instant pot|vitamix|keurig|nespresso|breville|smeg|ikea|west elm|pottery barn|crate and barrel|' +
    'wayfair|amazon|walmart|target|costco|etsy|lego|mattel|fisher-price|hasbro|nintendo|playstation|xbox|fitbit|garmin|' +
    "canon|nikon|gopro|yeti|hydro flask|stanley|le labo|glossier|sephora|ulta|clinique|estee lauder|l'oreal|" +
    "the ordinary|cerave|neutrogena|dove|olay|aveda|lush|bath and body works|victoria's secret|aerie|american eagle|" +
    'abercrombie|hollister|everlane|madewell|anthropologie|free people|urban outfitters|nordstrom|rei|carhartt|' +
    'wrangler|champion|fila|oakley|ray-ban|rayban|tesla|starbucks|nestle|hershey|lindt|godiva|oreo|kraft|heinz|' +
    "coca-cola|pepsi|red bull|ben & jerry's|trader joe's|whole foods|kenzo|burberry|hermes|dior|versace|balenciaga|" +
    'fendi|armani|hugo boss|boss|diesel|mango|asos|primark|next|marks and spencer|m&s|john lewis|muji|ikea|bodum|' +
    'oxo|pyrex|tupperware|philips|panasonic|bosch|miele|weber|traeger|peloton|oura|kindle|fossil|casio|seiko|rolex|' +
    'swatch|pandora|tiffany|swarovski|kylie|fenty|mac|nars|benefit|rare beauty|drunk elephant|the body shop|' +
    'anker|belkin|logitech|razer|jabra|sennheiser|skullcandy|shure|corsair|western digital|sandisk|roku|oral-b|braun|remington|shark|roomba|irobot|ring|nest|eufy|tp-link|netgear'
  ).split('|'),
);

export const HOUSEHOLD_NOUNS =
  'kids?|children|child|sons?|daughters?|bab(?:y|ies)|toddlers?|newborns?|infants?|teens?|teenagers?|twins|triplets|' +
  'dogs?|pupp(?:y|ies)|cats?|(?:golden |labrador )?retrievers?|labradors?|labs?|poodles?|terriers?|spaniels?|bulldogs?|beagles?|huskies|husky|dachshunds?|corgis?|(?:german )?shepherds?|chihuahuas?|pugs?|doodles?|goldfish|tortoises?|turtles?|lizards?|snakes?|' +
  'kittens?|pets?|birds?|parrots?|hamsters?|rabbits?|bunn(?:y|ies)|guinea pigs?|' +
  '(?:\\d+|one|two|three|four|five|six|seven|eight|nine|ten)[- ](?:year|month|week)[- ]olds?|' +
  'roommates?|flatmates?|stepkids|stepchildren|grandkids|grandchildren|boys|girls|little ones';

/** Words that may follow a diet word when it describes a person rather than a product. */
export const DIET_FOLLOWERS = new Set(
  (
    'diet diets here now and at household family home lately too since for but so person these anymore any more again ' +
    'mostly only strictly though as because cause disease i we he she btw actually recently this last currently ' +
    'lifestyle eater guy girl kid kids boy or nowadays for life months years weeks days year month week'
  ).split(' '),
);

export const OCCASIONS: [RegExp, string][] = [
  [/\b(birthday|bday|b-day|birth day|born)\b/, 'birthday'],
  [/\b(anniversary|got married|were married|wedding anniversary)\b/, 'anniversary'],
  [/\b(graduation|graduates|graduating)\b/, 'graduation'],
  [/\b(wedding|getting married|gets married)\b/, 'wedding'],
  [/\b(due date|is due|baby is due)\b/, 'due_date'],
  [/\b(retirement|retires|retiring)\b/, 'retirement'],
  [/\b(name day)\b/, 'name_day'],
  [/\b(housewarming)\b/, 'housewarming'],
  [/\b(baby shower)\b/, 'baby_shower'],
  [/\b(turns|turning)\s+\d+/, 'birthday'],
];

export const CURRENCY: [RegExp, string][] = [
  [/\$|dollars?|bucks|usd/, 'USD'],
  [/£|pounds?|gbp|quid/, 'GBP'],
  [/€|euros?|eur\b/, 'EUR'],
];
