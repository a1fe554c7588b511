/**
 * What ingredients are, for the rule set: the words that reveal an allergen or an animal in a product's
 * ingredients, name or description ("barley malt" is gluten, "anchovies" are fish, "whey" is dairy).
 * Lists of words only; `constraints.ts` decides what a person may be shown.
 */

const words = (list: string) => new RegExp(`\\b(?:${list})\\b`);

/** Each allergen, as the catalog tags it, and the ingredient words that contain it. */
export const ALLERGEN_WORDS: Record<string, RegExp> = {
  gluten: words(
    'wheat|barley|rye|spelt|semolina|malt|malted|farro|bulgur|couscous|seitan|triticale|durum|einkorn|emmer|kamut|graham|panko|breadcrumbs?|bread crumbs?|croutons?|flour tortillas?|pita|sourdough|brioche|bagels?|pretzels?|beer|ale|lager',
  ),
  wheat: words('wheat|spelt|semolina|durum|farro|bulgur|couscous|seitan|einkorn|emmer|kamut|graham|panko|croutons?'),
  fish: words(
    'fish|anchov(?:y|ies)|tuna|salmon|cod|haddock|halibut|sardines?|mackerel|trout|tilapia|pollock|bonito|herring|swordfish|snapper|bass|catfish|lox|worcestershire|fish sauce|caesar dressing|dashi',
  ),
  shellfish: words(
    'shellfish|shrimps?|prawns?|crabs?|lobsters?|crayfish|crawfish|langoustines?|scallops?|mussels?|clams?|oysters?|squid|calamari|octopus',
  ),
  dairy: words(
    '(?<!(?:coconut|oat|almond|soy|rice|cashew|plant|hemp) )milk|(?<!(?:peanut|nut|cocoa|shea|apple|almond|cashew|seed|sunflower) )butter|buttermilk|(?<!coconut )cream|(?<!(?:vegan|cashew|plant-based) )cheese|cheddar|parmesan|mozzarella|ricotta|feta|brie|gouda|mascarpone|yogh?urt|whey|casein|ghee|lactose|kefir|custard|gelato|ice cream',
  ),
  eggs: words('eggs?|egg yolks?|egg whites?|mayonnaise|mayo|meringue|albumen|aioli|hollandaise'),
  peanuts: words('peanuts?|peanut butter|groundnuts?|arachis'),
  tree_nuts: words(
    'almonds?|walnuts?|cashews?|pecans?|pistachios?|hazelnuts?|macadamias?|brazil nuts?|pine nuts?|praline|marzipan|nougat|gianduja|nut butter|mixed nuts',
  ),
  soy: words('soy|soya|soybeans?|tofu|edamame|tempeh|miso|tamari|soy sauce'),
  sesame: words('sesame|tahini|halva|halvah|za.atar'),
  mustard: words('mustard'),
  celery: words('celery|celeriac'),
};

/** Shoppers and shops say allergens in many ways: "nuts", "nut", "lactose", "shellfish" → the catalog's tag. */
export const ALLERGEN_SYNONYMS: Record<string, string> = {
  nuts: 'tree_nuts',
  nut: 'tree_nuts',
  tree_nut: 'tree_nuts',
  peanut: 'peanuts',
  egg: 'eggs',
  milk: 'dairy',
  lactose: 'dairy',
  seafood: 'shellfish',
  shrimp: 'shellfish',
  crustaceans: 'shellfish',
  soya: 'soy',
  wheat: 'wheat',
  gluten: 'gluten',
  coeliac: 'gluten',
  celiac: 'gluten',
};

/** Meat of land animals (and gelatin): not vegetarian, not pescatarian. */
export const MEAT = words(
  'beef|pork|ham|bacon|chicken|turkey|salami|prosciutto|pepperoni|lamb|duck|veal|chorizo|sausages?|gelatin|gelatine|lard|pastrami|brisket|venison|bison|goose|mortadella|pancetta|guanciale|jerky|bone broth|chicken stock|beef stock',
);

/** Anything of an animal: not vegan. */
export const ANIMAL_PRODUCT = new RegExp(
  `${MEAT.source}|${ALLERGEN_WORDS.fish.source}|${ALLERGEN_WORDS.shellfish.source}|${ALLERGEN_WORDS.dairy.source}|${ALLERGEN_WORDS.eggs.source}|\\bhoney\\b`,
);
